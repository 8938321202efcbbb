using System.Globalization;
using WideMinima.Sweeps.Ledger;

namespace WideMinima.Sweeps.Console;

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
