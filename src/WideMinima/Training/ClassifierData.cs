namespace WideMinima.Training;

/// <summary>Examples in flat arrays, as they are moved into tensors once per fit.</summary>
/// <param name="Features">Row-major features, <c>Count * FeatureCount</c> values.</param>
/// <param name="Labels">0-based class indices, one per example.</param>
/// <param name="FeatureCount">Features per example.</param>
/// <param name="ClassCount">Classes.</param>
internal sealed record ClassifierData(float[] Features, long[] Labels, int FeatureCount, int ClassCount)
{
    public int Count => Labels.Length;
}
