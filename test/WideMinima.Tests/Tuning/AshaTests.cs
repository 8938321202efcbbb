using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class AshaTests
{
    [TestMethod]
    public void Budget_rungs_divide_the_full_budget_by_eta_down_to_the_grace_period()
    {
        CollectionAssert.AreEqual(new[] { 1, 3, 10 }, Asha.BudgetRungs(10, 1, 3).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 10 }, Asha.BudgetRungs(10, 2, 3).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 6, 12 }, Asha.BudgetRungs(12, 1, 2).ToArray());
        CollectionAssert.AreEqual(new[] { 2 }, Asha.BudgetRungs(2, 2, 2).ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Asha.BudgetRungs(10, 1, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Asha.BudgetRungs(10, 11, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Asha.BudgetRungs(10, 0, 3));
    }

    [TestMethod]
    public void Nothing_is_promoted_until_a_rung_holds_eta_results_then_the_best_goes_first()
    {
        var asha = new Asha(9, 1, 3); // rungs 1, 3, 9
        for (int i = 0; i < 2; i++) { asha.Add(i, i); asha.Record(i, 0, 0.5 + 0.1 * i); }
        Assert.IsNull(asha.Next(), "two results at rung 0: floor(2/3) = 0 promotable");
        asha.Add(2, 2);
        asha.Record(2, 0, 0.55);
        var p = asha.Next();
        Assert.IsNotNull(p);
        Assert.AreEqual(1, p.Rung);
        CollectionAssert.AreEqual(new[] { 1 }, p.TrialIds.ToArray(), "the best of three (0.6)");
        asha.Start(p);
        Assert.IsNull(asha.Next(), "the promoted trial is not promoted twice");
    }

    [TestMethod]
    public void Higher_rungs_are_promoted_first_and_diverged_trials_never()
    {
        var asha = new Asha(9, 1, 3);
        for (int i = 0; i < 9; i++) { asha.Add(i, i); asha.Record(i, 0, i == 8 ? double.NaN : 0.1 * i); }
        // top 3 at rung 0: 7, 6, 5 (8 diverged ranks last)
        CollectionAssert.AreEqual(new[] { 7, 6, 5 }, asha.Promotable(0).ToArray());
        foreach (int id in new[] { 7, 6, 5 })
        {
            var p = asha.Next()!;
            CollectionAssert.AreEqual(new[] { id }, p.TrialIds.ToArray());
            asha.Start(p);
            asha.Record(id, 1, id == 6 ? 0.9 : 0.3);
        }
        var top = asha.Next()!;
        Assert.AreEqual(2, top.Rung);
        CollectionAssert.AreEqual(new[] { 6 }, top.TrialIds.ToArray(), "rung 1 has 3 results: its best goes to the top rung before anything else");
        asha.Start(top);
        Assert.IsNull(asha.Next());
        Assert.AreEqual(1, asha.HighestRung(6));
        Assert.AreEqual(0.9, asha.Accuracy(6, 1));
    }

    [TestMethod]
    public void Promotable_branches_of_one_knee_proposal_are_promoted_together()
    {
        var asha = new Asha(4, 1, 2); // rungs 1, 2, 4
        // proposal 0: three Knee branches; proposal 1: one cosine trial
        double[] acc = [0.80, 0.70, 0.85, 0.60];
        int[] group = [0, 0, 0, 1];
        for (int i = 0; i < 4; i++) { asha.Add(i, group[i]); asha.Record(i, 0, acc[i]); }
        var p = asha.Next()!; // top 2 of 4: trials 2 and 0, same proposal
        CollectionAssert.AreEqual(new[] { 2, 0 }, p.TrialIds.ToArray());
    }
}
