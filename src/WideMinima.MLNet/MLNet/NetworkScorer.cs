using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>Runs the trained network for ML.NET's row-by-row mapping; one forward pass at a time.</summary>
internal sealed class NetworkScorer(nn.Module<Tensor, Tensor> model, Device device, int featureCount, int classCount)
{
    private readonly Lock _gate = new();
    private readonly long[] _shape = [1, featureCount];

    /// <summary>The input row type of the mapping; its column name and size are set by a schema definition.</summary>
    public sealed class Input
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>The output row type of the mapping.</summary>
    public sealed class Output
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    public void Map(Input input, Output output)
    {
        if (output.Score.Length != classCount) output.Score = new float[classCount];
        // ML.NET may pull rows from several threads; TorchSharp modules are not meant to run concurrently.
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = tensor(input.Features, _shape).to(device);
            var probabilities = nn.functional.softmax(model.call(x), 1).cpu();
            probabilities.data<float>().CopyTo(output.Score, 0);
        }
        int best = 0;
        var score = output.Score;
        for (int k = 1; k < score.Length; k++) if (score[k] > score[best]) best = k;
        // Row objects hold keys 0-based (ML.NET adds 1 in the column); a value past the last class reads as missing.
        output.PredictedLabel = float.IsNaN(score[best]) ? (uint)classCount : (uint)best;
    }
}
