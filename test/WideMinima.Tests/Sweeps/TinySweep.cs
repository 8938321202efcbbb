using WideMinima.Sharpness;
using WideMinima.Models;
using WideMinima.Tuning;
using System.Diagnostics;
using WideMinima.Data;
using WideMinima.Sweeps.Config;

namespace WideMinima.Tests.Sweeps;

/// <summary>A tiny generated IDX dataset and sweep config that train in well under a second per run, and a way to run the CLI.</summary>
internal static class TinySweep
{
    public static string NewFolder(string name) => TestFolders.New(name);

    /// <summary>The runs of the SQLite ledger in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<WideMinima.Ledger.LedgerRun> LedgerRuns(string folder)
    {
        using var ledger = WideMinima.Ledger.SqlLedger.Sqlite(Path.Combine(folder, WideMinima.Ledger.SqlLedger.FileName));
        return ledger.Runs();
    }

    /// <summary>
    /// Starts <c>run</c> with <paramref name="args"/> (one worker in the process, so SIGKILL stops the sweep at once),
    /// waits up to 3 minutes until the ledger in <paramref name="folder"/> satisfies <paramref name="ready"/>, and kills
    /// it with SIGKILL; fails if the sweep ended first.
    /// </summary>
    public static void KillWhen(string folder, Func<IReadOnlyList<WideMinima.Ledger.LedgerRun>, bool> ready, params string[] args)
    {
        using var process = Start(args);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        string path = Path.Combine(folder, WideMinima.Ledger.SqlLedger.FileName);
        while (DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
            if (File.Exists(path) && ready(LedgerRuns(folder))) break;
        }
        Assert.IsFalse(process.HasExited, "the sweep should still be running when it is killed");
        process.Kill(); // SIGKILL
        process.WaitForExit();
    }

    /// <summary>Whether a run is in flight and past its first epoch (so a kill catches it mid-run).</summary>
    public static bool MidEpoch(WideMinima.Ledger.LedgerRun r) =>
        r.Status == WideMinima.Ledger.RunStatus.Running && r.Progress?.StartsWith("epoch", StringComparison.Ordinal) == true;

    /// <summary>Writes 3-class 8x8 images (each class brightens its own band of rows) and returns the folder; <paramref name="noise"/> is each pixel's uniform noise (larger: harder).</summary>
    public static string Dataset(int train = 480, int test = 150, int noise = 50)
    {
        string dir = NewFolder("tiny-data");
        void Write(string prefix, int count, int seed)
        {
            var random = new Random(seed);
            var pixels = new byte[count * 64];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int c = i % 3;
                labels[i] = (byte)c;
                for (int p = 0; p < 64; p++)
                {
                    int row = p / 8;
                    double v = (row / 3 == c ? 170 : 60) + random.Next(-noise, noise);
                    pixels[i * 64 + p] = (byte)Math.Clamp(v, 0, 255);
                }
            }
            IdxFile.WriteImages(Path.Combine(dir, $"{prefix}-images.gz"), new IdxImages(count, 8, 8, pixels));
            IdxFile.WriteLabels(Path.Combine(dir, $"{prefix}-labels.gz"), labels);
        }
        Write("train", train, 1);
        Write("test", test, 2);
        return dir;
    }

    public static SweepConfig Config(string data, int workers = 1, int seeds = 2, int epochs = 3) => new()
    {
        Name = "tiny",
        Dataset = new DatasetConfig
        {
            Kind = DatasetKind.Idx,
            Path = data,
            TrainImages = "train-images.gz",
            TrainLabels = "train-labels.gz",
            TestImages = "test-images.gz",
            TestLabels = "test-labels.gz",
        },
        Model = ModelKind.Mlp, HiddenSizes = [16],
        Epochs = epochs,
        BatchSize = 32,
        PeakLr = 0.05,
        ExploreFractions = [0, 0.5],
        Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step],
        Seeds = seeds,
        Workers = workers,
        Threads = 1,
        Width = Width(256, 10),
    };

    /// <summary>The fast width protocol on a smaller sample.</summary>
    public static KeskarWidthOptions Width(int sampleSize, int maxSteps)
    {
        var width = KeskarWidthOptions.Fast();
        (width.SampleSize, width.BatchSize, width.MaxSteps) = (sampleSize, sampleSize, maxSteps);
        return width;
    }

    public static string WriteConfig(SweepConfig config, string folder)
    {
        string path = Path.Combine(folder, "sweep.json");
        File.WriteAllText(path, SweepConfigJson.Write(config));
        return path;
    }

    /// <summary>Starts the sweep console as a child process, as a user would run it.</summary>
    public static Process Start(params string[] args) => StartWith(null, args);

    /// <summary>As <see cref="Start"/>, with extra environment variables.</summary>
    public static Process StartWith(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // Through env, which then execs dotnet in its place (same pid): a test run started in the background by a
        // non-interactive shell inherits SIGINT ignored, and .NET keeps an ignored SIGINT ignored, so Ctrl+C could
        // not be tested; --default-signal=INT gives the console the SIGINT a user's terminal would.
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wideminima-sweeps.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        return Process.Start(info)!;
    }

    /// <summary>Runs the console to completion and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] args) => RunWith(null, args);

    /// <summary>As <see cref="Run"/>, with extra environment variables.</summary>
    public static (int ExitCode, string Output, string Error) RunWith(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = StartWith(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"wideminima-sweeps {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
