using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.MLNet;

/// <summary>Saving and loading whole pipelines that contain a <see cref="WideMinimaTransformer"/>.</summary>
public static partial class WideMinimaModel
{
    /// <summary>Splits a pipeline into the transforms before the WideMinima transformer, the transformer, and those after.</summary>
    internal static (IReadOnlyList<ITransformer> Before, WideMinimaTransformer Model, IReadOnlyList<ITransformer> After) Split(ITransformer pipeline)
    {
        var flat = new List<ITransformer>();
        Flatten(pipeline, flat);
        int index = flat.FindIndex(t => t is WideMinimaTransformer);
        if (index < 0) throw new ArgumentException("The pipeline holds no WideMinima model (WideMinimaTransformer).", nameof(pipeline));
        if (flat.FindLastIndex(t => t is WideMinimaTransformer) != index)
            throw new ArgumentException("The pipeline holds more than one WideMinima model; save each separately.", nameof(pipeline));
        return (flat[..index], (WideMinimaTransformer)flat[index], flat[(index + 1)..]);
    }

    private static void Flatten(ITransformer transformer, List<ITransformer> into)
    {
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var t in chain) Flatten(t, into);
        }
        else
        {
            into.Add(transformer);
        }
    }
}
