namespace WideMinima.Training;

/// <summary>The training optimizer.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with (Nesterov) momentum: the paper's optimizer for image classification.</summary>
    Sgd,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}
