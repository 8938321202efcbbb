using System.Net;
using System.Net.Sockets;
using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Data;

namespace WideMinima.Tests.Data;

[TestClass]
public sealed class FashionMnistTests
{
    private static FashionMnistSource Isolated(string cache, string? environment = null) => new()
    {
        CacheDirectory = cache,
        SystemDirectories = [],
        AllowDownload = false,
        GetEnvironmentVariable = name => name == FashionMnist.EnvironmentVariable ? environment : null,
    };

    [TestMethod]
    public void Explicit_path_wins_and_a_bad_one_fails_without_falling_through()
    {
        string dir = TestFolders.New();
        IdxFileTests.WriteDataset(dir, 20, 10);
        var source = Isolated(TestFolders.New());
        source.Path = dir;
        Assert.AreEqual(dir, FashionMnist.Locate(source));
        source.Path = TestFolders.New();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.Locate(source));
        StringAssert.Contains(e.Message, source.Path);
    }

    [TestMethod]
    public void Environment_variable_comes_before_cache_and_system_folders()
    {
        string env = TestFolders.New(), cache = TestFolders.New();
        IdxFileTests.WriteDataset(env, 20, 10, gzip: false);
        IdxFileTests.WriteDataset(cache, 20, 10);
        Assert.AreEqual(env, FashionMnist.Locate(Isolated(cache, env)));
        Assert.AreEqual(cache, FashionMnist.Locate(Isolated(cache)));
        var system = Isolated(TestFolders.New());
        string sys = TestFolders.New();
        IdxFileTests.WriteDataset(sys, 20, 10);
        system.SystemDirectories = [sys];
        Assert.AreEqual(sys, FashionMnist.Locate(system));
    }

    [TestMethod]
    public void When_nothing_is_found_the_error_says_how_to_get_the_data()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.Locate(Isolated(TestFolders.New())));
        StringAssert.Contains(e.Message, "apt-get install dataset-fashion-mnist");
        StringAssert.Contains(e.Message, FashionMnist.EnvironmentVariable);
    }

    [TestMethod]
    public void Downloads_into_the_cache_from_a_local_server_and_verifies_checksums()
    {
        string served = TestFolders.New();
        IdxFileTests.WriteDataset(served, 30, 12);
        var checksums = FashionMnist.FileNames.ToDictionary(n => n, n => IdxFileTests.Sha256OfContent(Path.Combine(served, n + ".gz")));
        using var server = new LocalFileServer(served);
        var source = Isolated(Path.Combine(TestFolders.New(), "cache"));
        source.AllowDownload = true;
        source.DownloadBaseUri = server.BaseUri;
        source.ExpectedSha256 = checksums;

        string folder = FashionMnist.Locate(source);
        Assert.AreEqual(source.CacheDirectory, folder);
        Assert.AreEqual(4, server.Requests);
        var test = FashionMnist.Load(new MLContext(1), FashionMnistSplit.Test, source);
        Assert.AreEqual(12, test.GetColumn<uint>("Label").Count());
        Assert.AreEqual(4, server.Requests, "the second load reads the cache");
        Assert.IsFalse(Directory.EnumerateFiles(folder, "*.part").Any());
    }

    [TestMethod]
    public void A_corrupted_download_is_discarded_with_a_checksum_error()
    {
        string served = TestFolders.New();
        IdxFileTests.WriteDataset(served, 30, 12);
        var checksums = FashionMnist.FileNames.ToDictionary(n => n, n => IdxFileTests.Sha256OfContent(Path.Combine(served, n + ".gz")));
        // Serve a valid gzip file of different content for the test labels.
        File.WriteAllBytes(Path.Combine(served, "t10k-labels-idx1-ubyte.gz"), IdxFileTests.Gzip([0, 0, 8, 1, 0, 0, 0, 1, 9]));
        using var server = new LocalFileServer(served);
        var source = Isolated(Path.Combine(TestFolders.New(), "cache"));
        source.AllowDownload = true;
        source.DownloadBaseUri = server.BaseUri;
        source.ExpectedSha256 = checksums;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Locate(source));
        StringAssert.Contains(e.Message, "t10k-labels-idx1-ubyte.gz failed its checksum");
        Assert.IsFalse(File.Exists(Path.Combine(source.CacheDirectory, "t10k-labels-idx1-ubyte.gz")), "the bad file is not kept");
        Assert.IsFalse(Directory.EnumerateFiles(source.CacheDirectory).Any(f => f.EndsWith(".part", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void A_download_that_fails_explains_what_was_tried()
    {
        using var server = new LocalFileServer(TestFolders.New()); // serves 404 for everything
        var source = Isolated(Path.Combine(TestFolders.New(), "cache"));
        source.AllowDownload = true;
        source.DownloadBaseUri = server.BaseUri;
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.Locate(source));
        StringAssert.Contains(e.Message, "download");
        StringAssert.Contains(e.Message, "404");
    }

    [TestMethod]
    public void Real_fashion_mnist_loads_with_its_documented_shape()
    {
        var ml = new MLContext(1);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test);
        var labels = test.GetColumn<uint>("Label").ToArray();
        Assert.HasCount(10_000, labels);
        CollectionAssert.AreEquivalent(Enumerable.Range(1, 10).Select(i => (uint)i).ToArray(), labels.Distinct().ToArray());
        Assert.AreEqual(784, ((Microsoft.ML.Data.VectorDataViewType)test.Schema["Features"].Type).Size);
        Assert.AreEqual(1000, FashionMnist.Load(ml, FashionMnistSplit.Train, take: 1000).GetColumn<uint>("Label").Count());
    }

    /// <summary>A tiny HTTP file server on 127.0.0.1, for download tests on a machine without internet.</summary>
    private sealed class LocalFileServer : IDisposable
    {
        private HttpListener _listener = new();
        private readonly string _root;
        private readonly Task _loop;
        private int _requests;

        public LocalFileServer(string root)
        {
            _root = root;
            // HttpListener cannot bind port 0, so a free port is found first; another process may take it between
            // the probe and the bind, so a failed bind tries the next free port instead of failing the test.
            for (int attempt = 1; ; attempt++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                int port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add(BaseUri.ToString());
                try
                {
                    _listener.Start();
                    break;
                }
                catch (HttpListenerException) when (attempt < 10)
                {
                    _listener.Close();
                    _listener = new HttpListener();
                }
            }
            _loop = Task.Run(Serve);
        }

        public Uri BaseUri { get; }

        public int Requests => Volatile.Read(ref _requests);

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                Interlocked.Increment(ref _requests);
                string path = Path.Combine(_root, Path.GetFileName(context.Request.Url!.AbsolutePath));
                if (File.Exists(path))
                {
                    var bytes = await File.ReadAllBytesAsync(path);
                    context.Response.ContentLength64 = bytes.Length;
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        }
    }
}
