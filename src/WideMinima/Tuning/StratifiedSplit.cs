namespace WideMinima.Tuning;

/// <summary>Carves a seeded, stratified validation split out of training labels. Pure.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits example indices into a training part and a validation part holding <paramref name="validationShare"/>
    /// of each class (rounded; at least one example of every class that has two or more). Both parts keep the
    /// examples' original order.
    /// </summary>
    /// <param name="labels">0-based class of each example.</param>
    /// <param name="validationShare">The validation share, in (0, 0.5].</param>
    /// <param name="seed">Fixes which examples go to validation.</param>
    public static (int[] Train, int[] Validation) Carve(IReadOnlyList<long> labels, double validationShare, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckShare(validationShare, "validation_share");
        var random = new Random(seed);
        var inValidation = new bool[labels.Count];
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            int[] members = [.. group];
            random.Shuffle(members);
            int take = (int)Math.Round(validationShare * members.Length, MidpointRounding.AwayFromZero);
            if (take == 0 && members.Length >= 2) take = 1;
            if (take >= members.Length) take = members.Length - 1;
            for (int k = 0; k < take; k++) inValidation[members[k]] = true;
        }
        return ([.. Enumerable.Range(0, labels.Count).Where(i => !inValidation[i])], [.. Enumerable.Range(0, labels.Count).Where(i => inValidation[i])]);
    }

    /// <summary>Throws naming <paramref name="name"/> unless the share is in (0, 0.5].</summary>
    public static void CheckShare(double share, string name)
    {
        if (!double.IsFinite(share) || share <= 0 || share > 0.5) throw Internal.Guard.Fail(name, share, "must be in (0, 0.5]");
    }
}
