using System.ComponentModel;
using Spectre.Console.Cli;
using WideMinima.MLNet;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>export</c>: writes the network of a saved <c>.wmmodel</c> as an ONNX model.</summary>
internal sealed class ExportCommand : Command<ExportCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <FILE>")]
        [Description("A model saved with WideMinimaModel.Save (.wmmodel).")]
        public string? Model { get; init; }

        [CommandOption("--onnx <FILE>")]
        [Description("The ONNX file to write (opset 17): features in, class probabilities out.")]
        public string? Onnx { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (model, onnx) = Check(settings);
        OnnxExportInfo info;
        try
        {
            info = WideMinimaModel.ExportOnnx(model, onnx);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
            throw new SweepConfigException($"--model: {e.Message}", e);
        }
        System.Console.WriteLine($"Wrote {info.Path}: {info.ModelKind}, ONNX opset {info.Opset}; input '{info.InputName}' float[N, {info.InputSize}], " +
            $"output '{info.OutputName}' float[N, {info.ClassNames.Count}] (class probabilities: {string.Join(", ", info.ClassNames)}).");
        if (info.TransformsNotExported.Count > 0)
            System.Console.WriteLine($"Not in the ONNX graph: the model's ML.NET transforms {string.Join(", ", info.TransformsNotExported)}; keep them in front of ApplyOnnxModel.");
        return ExitCodes.Success;
    }

    /// <summary>Checks the arguments before any work: both given, the model file there, the output folder there.</summary>
    internal static (string Model, string Onnx) Check(Settings settings)
    {
        string model = settings.Model ?? throw new SweepConfigException("--model", null, "is required (a .wmmodel file)");
        if (!File.Exists(model)) throw new SweepConfigException("--model", model, "must be an existing .wmmodel file");
        string onnx = settings.Onnx ?? throw new SweepConfigException("--onnx", null, "is required (the .onnx file to write)");
        if (onnx.Length == 0 || Directory.Exists(onnx)) throw new SweepConfigException("--onnx", onnx, "must be a file path");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(onnx));
        if (folder is null || !Directory.Exists(folder)) throw new SweepConfigException("--onnx", onnx, "must be in an existing folder");
        return (model, onnx);
    }
}
