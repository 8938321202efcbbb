using System.Text.Json.Serialization;

namespace WideMinima.Sharpness;

/// <summary>How the loss is climbed inside the box.</summary>
public enum AscentMethod
{
    /// <summary>
    /// Plain projected gradient ascent with a fixed learning rate, no momentum and no weight decay:
    /// the reference protocol (ε 1e-4, lr 1e-3, 1000 steps).
    /// </summary>
    [JsonStringEnumMemberName("sgd")] Sgd,

    /// <summary>
    /// Projected sign-gradient ascent (PGD for an L∞ box): each step moves every weight by a fixed share
    /// of its own box radius in the direction of its gradient's sign. Scale-free, so it reaches the box's
    /// faces in a handful of steps where SGD's step is far smaller than the box.
    /// </summary>
    [JsonStringEnumMemberName("sign")] SignGradient,
}
