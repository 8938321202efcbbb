namespace WideMinima.Reports;

/// <summary>
/// The spelled schedule names the reports single out, as the ledger stores them (a run's <c>schedule</c> column): the
/// reports are written against the ledger alone, so they know schedules by these names. They are the core's schedule
/// names; ScheduleNamesTests checks that they stay so.
/// </summary>
public static class ScheduleNames
{
    /// <summary>The Knee schedule, once per explore share.</summary>
    public const string Knee = "knee";

    /// <summary>The paper's Section 3 explore-step protocol, once per explore share.</summary>
    public const string ExploreStep = "explore-step";

    /// <summary>Step decay at milestones.</summary>
    public const string Step = "step";

    /// <summary>Cosine decay.</summary>
    public const string Cosine = "cosine";
}
