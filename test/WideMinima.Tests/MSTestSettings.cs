// Tests share one libtorch process; the TorchSharp tests set torch's global seed and thread count,
// so tests run one at a time to stay deterministic.
[assembly: DoNotParallelize]
