using System.Diagnostics;
using System.Globalization;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;

namespace Orchestrator.Benchmarks;

/// <summary>The embedded engine's memory while five shell tasks each print one 50 MB line at once: peak working
/// set (the kernel's VmHWM, and sampled), peak managed heap (sampled every 10 ms), what is left after a full GC, and
/// the size of the store afterwards.</summary>
internal static class MemoryBenchmark
{
    private const string FiftyMegabyteLine = "head -c 52428800 /dev/zero | tr '\\0' x; echo";
    private const int Tasks = 5;

    public static async Task RunAsync()
    {
        var dag = new DagBuilder("big_lines");
        for (var i = 0; i < Tasks; i++)
        {
            dag.Shell($"big{i}", FiftyMegabyteLine);
        }

        using var process = Process.GetCurrentProcess();
        var startWorkingSet = WorkingSet(process);
        long peakWorkingSet = 0, peakHeap = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakWorkingSet = Math.Max(peakWorkingSet, WorkingSet(process));
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(10, CancellationToken.None);
            }
        });

        var (elapsed, state, storeBytes) = await EngineBenchmark.RunOnceAsync(dag, workers: Tasks);
        await stop.CancelAsync();
        await sampler;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            engine memory: {Tasks} shell tasks at once, each printing one 50 MB line, {Environment.ProcessorCount} cores
              run: {state.ToName()} in {elapsed.TotalSeconds:F1} s; store afterwards: {Mb(storeBytes)} MB
              working set: {Mb(startWorkingSet)} MB before, peak {Mb(peakWorkingSet)} MB sampled, {Mb(PeakResident())} MB VmHWM; {Mb(WorkingSet(process))} MB after a full GC
              managed heap: peak {Mb(peakHeap)} MB sampled, {Mb(GC.GetTotalMemory(false))} MB after a full GC
            """));
    }

    private static long WorkingSet(Process process)
    {
        process.Refresh();
        return process.WorkingSet64;
    }

    // The kernel's high-water mark of this process's resident memory, which no sampling interval can miss.
    private static long PeakResident() => File.ReadLines("/proc/self/status")
        .Where(line => line.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
        .FirstOrDefault();

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024)).ToString("F0", CultureInfo.InvariantCulture);
}
