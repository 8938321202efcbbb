namespace WideMinima.Schedules;

/// <summary>The decay formulas shared by Knee, cosine and linear schedules.</summary>
internal static class DecayCurve
{
    /// <summary>
    /// The learning rate <paramref name="into"/> steps into a decay of <paramref name="length"/> steps
    /// from <paramref name="peak"/> to <paramref name="floor"/>; past the end it holds the floor.
    /// </summary>
    public static double At(DecayShape shape, double peak, double floor, long into, long length)
    {
        if (length <= 0) return floor; // No decay phase is left: the budget ends at the peak, then the floor.
        switch (shape)
        {
            case DecayShape.Linear:
                // Written as in the reference, max(0, peak - peak / D * (s - W - E)) when floor = 0,
                // so the two agree bit for bit.
                return Math.Max(floor, peak - (peak - floor) / length * into);
            case DecayShape.Cosine:
                {
                    double p = Math.Min(1.0, (double)into / length);
                    return floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * p));
                }
            case DecayShape.OneMinusSqrt:
                {
                    double p = Math.Min(1.0, (double)into / length);
                    return floor + (peak - floor) * (1 - Math.Sqrt(p));
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Unknown decay shape {shape}.");
        }
    }
}
