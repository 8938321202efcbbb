namespace WideMinima.Sharpness;

/// <summary>
/// The pure arithmetic of Keskar et al.'s ε-sharpness: the box around the trained weights, the projection
/// onto it, and the sharpness value. The tensor implementation in <see cref="KeskarWidth"/> applies these
/// same formulas element-wise.
/// </summary>
public static class KeskarBox
{
    /// <summary>The box's half-width for a weight: <c>ε (|w0| + 1)</c>.</summary>
    public static double Radius(double trainedWeight, double epsilon) => epsilon * (Math.Abs(trainedWeight) + 1);

    /// <summary>Clamps <paramref name="weight"/> into <c>[w0 - r, w0 + r]</c>.</summary>
    public static double Project(double weight, double trainedWeight, double epsilon)
    {
        double r = Radius(trainedWeight, epsilon);
        return Math.Clamp(weight, trainedWeight - r, trainedWeight + r);
    }

    /// <summary>Keskar sharpness: <c>100 (max L - L0) / (1 + L0)</c>.</summary>
    public static double Sharpness(double initialLoss, double maximumLoss) => 100 * (maximumLoss - initialLoss) / (1 + initialLoss);
}
