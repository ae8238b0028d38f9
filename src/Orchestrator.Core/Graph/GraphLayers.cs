namespace Orchestrator.Core.Graph;

/// <summary>Longest-path layering: a task sits one layer below its deepest upstream, so every edge points down.</summary>
internal static class GraphLayers
{
    public static IReadOnlyList<IReadOnlyList<int>> FromOrder(int[] order, int[][] upstream)
    {
        var depth = new int[order.Length];
        var layerCount = 0;
        foreach (var task in order)
        {
            var d = 0;
            foreach (var parent in upstream[task])
            {
                d = Math.Max(d, depth[parent] + 1);
            }

            depth[task] = d;
            layerCount = Math.Max(layerCount, d + 1);
        }

        var layers = new List<int>[layerCount];
        for (var i = 0; i < layerCount; i++)
        {
            layers[i] = [];
        }

        foreach (var task in order)
        {
            layers[depth[task]].Add(task);
        }

        return layers;
    }
}
