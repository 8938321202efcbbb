namespace WideMinima.MLNet;

/// <summary>What runs a <see cref="WideMinimaTransformer"/>'s forward passes (<see cref="ScoringOptions.Backend"/>).</summary>
public enum ScoringBackend
{
    /// <summary>
    /// WideMinima's own kernels where they apply (the MLP and CNN that <c>ModelKind</c> builds, and any
    /// sequential network of the same layers, on the CPU, on a CPU with AVX-512, or AVX2 and FMA), libtorch otherwise. Same scores to
    /// float rounding; see docs/guide/scoring.md.
    /// </summary>
    Auto,
    /// <summary>Always libtorch: the network's own forward pass (with the 2 x 2 max-pooling shortcut).</summary>
    LibTorch,
}
