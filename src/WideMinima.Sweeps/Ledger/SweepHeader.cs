namespace WideMinima.Sweeps.Ledger;

/// <summary>The sweep a ledger holds.</summary>
/// <param name="DefinitionJson">The definition (see <c>SweepConfigJson.Definition</c>).</param>
/// <param name="ConfigJson">The full config as given, workers included.</param>
/// <param name="CreatedAt">When the ledger was created, Unix ms.</param>
/// <param name="ToolVersion">The WideMinima version that created it.</param>
public sealed record SweepHeader(string DefinitionJson, string ConfigJson, long CreatedAt, string ToolVersion);
