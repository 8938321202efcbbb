namespace WideMinima.Sweeps.Ledger;

/// <summary>
/// A worker's claim on a run. <paramref name="Attempt"/> is the fencing token: every claim of a run increments it,
/// so a claim that was taken over can never write again, even under the same worker name.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Worker">The worker holding it.</param>
/// <param name="Attempt">The run's attempt number when claimed.</param>
public sealed record RunLease(string RunId, string Worker, int Attempt);
