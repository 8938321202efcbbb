using System.Globalization;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Terminal;

/// <summary>One finished run as a short line of text, shared by the live and the plain display.</summary>
internal static class RunLine
{
    public static string Describe(LedgerRun r) => r.Status switch
    {
        RunStatus.Done => string.Create(CultureInfo.InvariantCulture,
            $"{r.RunId} done: accuracy {r.TestAccuracy * 100:F2}%, sharpness {Format(r.Sharpness)} (train {r.TrainSeconds:F1} s, width {r.WidthSeconds:F1} s)"),
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
        string accuracy = r.TestAccuracy is double a ? (a * 100).ToString("F2", c) : "-";
        string train = r.TrainSeconds is double t ? t.ToString("F1", c) : "-";
        string width = r.WidthSeconds is double w ? w.ToString("F1", c) : "-";
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

    private static string Format(double? sharpness) => sharpness is double s ? s.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
}
