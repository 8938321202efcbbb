using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;

namespace WideMinima.MLNet;

/// <summary>ML.NET catalog entry points: <c>mlContext.MulticlassClassification.Trainers.WideMinima(...)</c> and width measurement.</summary>
public static class WideMinimaCatalog
{
    /// <summary>The WideMinima trainer with the common arguments; everything else at its documented default.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column (key or integer).</param>
    /// <param name="featureColumnName">The features column (known-size vector of float).</param>
    /// <param name="epochs">The training budget in epochs.</param>
    /// <param name="exploreFraction">The Knee schedule's explore share of the budget (0.5, the paper's recommendation).</param>
    public static WideMinimaTrainer WideMinima(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = TrainingDefaults.LabelColumnName, string featureColumnName = TrainingDefaults.FeatureColumnName,
        int epochs = TrainingDefaults.Epochs, double exploreFraction = TrainingDefaults.ExploreFraction) =>
        catalog.WideMinima(new WideMinimaTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Epochs = epochs,
            Schedule = new KneeScheduleOptions { ExploreFraction = exploreFraction },
        });

    /// <summary>The WideMinima trainer with full options.</summary>
    public static WideMinimaTrainer WideMinima(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, WideMinimaTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new WideMinimaTrainer(EnvironmentOf(catalog), options);
    }

    /// <summary>
    /// Measures the Keskar width of the WideMinima model inside <paramref name="model"/> (a WideMinima transformer or a
    /// chain that holds one) on <paramref name="data"/>: transforms before it in the chain are applied first.
    /// </summary>
    public static WidthReport MeasureWidth(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data,
        KeskarWidthOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var (before, wideMinima, _) = WideMinimaModel.Split(model);
        foreach (var t in before) data = t.Transform(data);
        return wideMinima.MeasureWidth(data, options);
    }

    // Third-party catalog extensions have no public way to reach the catalog's MLContext (ML.NET keeps
    // CatalogUtils internal), so read the internal property once, and say clearly if it ever moves.
    private static readonly PropertyInfo? EnvironmentProperty =
        typeof(TrainCatalogBase.CatalogInstantiatorBase).GetProperty("Microsoft.ML.Data.IInternalCatalog.Environment", BindingFlags.Instance | BindingFlags.NonPublic);

    private static IHostEnvironment EnvironmentOf(TrainCatalogBase.CatalogInstantiatorBase catalog) =>
        EnvironmentProperty?.GetValue(catalog) as IHostEnvironment
            ?? throw new NotSupportedException("This ML.NET version does not expose the catalog's MLContext; create the trainer with new WideMinimaTrainer(mlContext, options).");
}
