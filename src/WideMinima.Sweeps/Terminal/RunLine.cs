using System.Globalization;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Terminal;

/// <summary>One finished run as a short line of text, shared by the live and the plain display.</summary>
internal static class RunLine
{
    public static string Describe(LedgerRun r) => r.Status switch
    {
        RunStatus.Done when r.Phase == RunPhase.Calibration =>
            $"{r.RunId} done: validation accuracy {Percent(r.ValidationAccuracy)}% at peak {Format(r.PeakLr)} (train {Format(r.TrainSeconds)} s)",
        RunStatus.Done =>
            $"{r.RunId} done: accuracy {Percent(r.TestAccuracy)}%, sharpness {Format(r.Sharpness)} (train {Format(r.TrainSeconds)} s, width {Format(r.WidthSeconds)} s)",
        RunStatus.Diverged => $"{r.RunId} diverged: {r.Error}",
        _ => $"{r.RunId} failed: {r.Error}",
    };

    /// <summary>The header of <see cref="Row"/>'s columns.</summary>
    public static string Header => string.Create(CultureInfo.InvariantCulture,
        $"{"run",-24} {"status",-9} {"accuracy %",10} {"sharpness",10} {"train s",8} {"width s",8}");

    /// <summary>A finished run as one row of a table that grows as runs finish.</summary>
    public static string Row(LedgerRun r)
    {
        var c = CultureInfo.InvariantCulture;
        // A calibration run's accuracy is its validation accuracy (it has no test score).
        double? score = r.Phase == RunPhase.Calibration ? r.ValidationAccuracy : r.TestAccuracy;
        string accuracy = score is double a ? NumberFormat.Significant(a * 100) : "-";
        string train = r.TrainSeconds is double t ? NumberFormat.Significant(t) : "-";
        string width = r.WidthSeconds is double w ? NumberFormat.Significant(w) : "-";
        string error = r.Error is null || r.Status == RunStatus.Done ? "" : "  " + r.Error;
        return string.Create(c, $"{r.RunId,-24} {r.Status.ToText(),-9} {accuracy,10} {Format(r.Sharpness),10} {train,8} {width,8}{error}");
    }

    public static (int Epoch, int Epochs)? Epoch(string? progress)
    {
        // "epoch 3/10"
        if (progress is null || !progress.StartsWith("epoch ", StringComparison.Ordinal)) return null;
        var parts = progress[6..].Split('/');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int e) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n)
            ? (e, n) : null;
    }

    /// <summary>A metric with three significant digits for its scale, or <c>n/a</c>.</summary>
    private static string Format(double? value) => value is double v ? NumberFormat.Significant(v) : NumberFormat.Missing;

    private static string Percent(double? fraction) => fraction is double f ? NumberFormat.Significant(f * 100) : NumberFormat.Missing;
}
