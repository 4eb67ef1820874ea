using PepLab.Analyse;
using PepLab.Core;
using PepLab.Store;
using PepLab.Tests;
using SkiaSharp;

namespace PepLab.Report.Tests;

public class AnimationTests
{
    [Fact]
    public void GifWriterFramesDecodeExactlyWithSkiaSharp()
    {
        uint[] palette = [0xFF000000, 0xFFFF0000, 0xFF00FF00, 0xFF0000FF, 0xFFFFFFFF];
        int w = 7, h = 5;
        var frames = Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, w * h).Select(i => (byte)((i + k) % palette.Length)).ToArray()).ToList();
        using var stream = new MemoryStream();
        using (var gif = new GifWriter(stream, w, h, palette))
        {
            foreach (var f in frames) gif.AddFrame(f, 7);
            gif.Finish();
            Assert.Equal(3, gif.Frames);
        }
        var bytes = stream.ToArray();
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(bytes, 0, 6));
        Assert.Equal(0x3B, bytes[^1]);
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        Assert.Equal(3, codec.FrameCount);
        Assert.Equal((w, h), (codec.Info.Width, codec.Info.Height));
        Assert.All(codec.FrameInfo, f => Assert.Equal(70, f.Duration));
        for (int k = 0; k < 3; k++)
        {
            var decoded = Fixtures.DecodeGifFrame(codec, k);
            for (int i = 0; i < w * h; i++) Assert.Equal(palette[frames[k][i]], decoded.Pixels[i]);
        }
    }

    [Fact]
    public void LzwSurvivesTableResetsOnLargeNoisyFrames()
    {
        // 256 colours of noise fill the 4096-code table many times over: every clear code must line up.
        var palette = Enumerable.Range(0, 256).Select(i => 0xFF000000u | (uint)(i * 0x010101)).ToArray();
        var rng = new Random(11);
        int w = 211, h = 190;
        var noise = new byte[w * h];
        rng.NextBytes(noise);
        var runs = new byte[w * h];
        for (int i = 0; i < runs.Length; i++) runs[i] = (byte)(i / 97 % 3); // long repeats: long codes
        using var stream = new MemoryStream();
        using (var gif = new GifWriter(stream, w, h, palette))
        {
            gif.AddFrame(noise, 10);
            gif.AddFrame(runs, 10);
            gif.Finish();
        }
        using var codec = SKCodec.Create(new MemoryStream(stream.ToArray()));
        Assert.Equal(2, codec.FrameCount);
        var first = Fixtures.DecodeGifFrame(codec, 0);
        var second = Fixtures.DecodeGifFrame(codec, 1);
        for (int i = 0; i < noise.Length; i++)
        {
            Assert.Equal(palette[noise[i]], first.Pixels[i]);
            Assert.Equal(palette[runs[i]], second.Pixels[i]);
        }
    }

    [Fact]
    public void AnimationHasOneFramePerChosenFrameEachDrawnLikeTheRun()
    {
        using var dir = new TempDir();
        var lattice = new Lattice(8, 10);
        var frames = Fixtures.RandomFrames(lattice, 9, 0.3, seed: 4);
        string run = Fixtures.WriteRun(dir.File("run.h5"), lattice, frames);
        using var source = FrameSources.Open(run);
        var options = new AnimationOptions(new SnapshotStyle(), Cell: 5, Step: 3, DelayCentiseconds: 20);
        int reported = 0;
        var result = Animation.Write(source, dir.File("run.gif"), options, FrameRange.Parse("1:"), n => reported += n);
        int strip = Animation.StripHeight(50);
        Assert.Equal(3, result.Frames); // frames 1, 4, 7
        Assert.Equal(3, reported);
        Assert.Equal((50, 40 + strip), (result.Width, result.Height));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));

        using var codec = SKCodec.Create(dir.File("run.gif"));
        Assert.Equal(3, codec.FrameCount);
        Assert.All(codec.FrameInfo, f => Assert.Equal(200, f.Duration));
        int[] shown = [1, 4, 7];
        var strips = new List<uint[]>();
        for (int k = 0; k < 3; k++)
        {
            var image = Fixtures.DecodeGifFrame(codec, k);
            var f = frames[shown[k]];
            for (int r = 0; r < lattice.Nx; r++)
                for (int c = 0; c < lattice.Ny; c++)
                    Assert.Equal(Fixtures.Hex(SiteColours.OfCode(f[r * lattice.Ny + c])), Fixtures.Hex(image[c * 5 + 2, strip + r * 5 + 2]));
            // the counter strip carries light text pixels
            var band = image.Pixels.AsSpan(0, 50 * (strip - 2)).ToArray();
            Assert.Contains(band, p => ((p >> 16) & 0xFF) > 150);
            strips.Add(band);
        }
        Assert.False(strips[0].SequenceEqual(strips[1]), "the frame counter does not change between frames");
    }

    [Fact]
    public void RenderedFrameMatchesTheSnapshotRasterBelowTheStrip()
    {
        var (lattice, frame) = FrameSketch.Draw("^>..", "..v<", "....");
        var style = new SnapshotStyle(SnapshotColouring.Clusters, Outline: true);
        var image = Animation.RenderFrame(frame, lattice, 6, style, "iteration 10", new ClusterLabeller(lattice));
        var snapshot = LatticeRaster.Render(frame, lattice, 6, style);
        int strip = Animation.StripHeight(24);
        for (int y = 0; y < snapshot.Height; y++)
            for (int x = 0; x < snapshot.Width; x++)
                Assert.Equal(snapshot[x, y], image[x, y + strip]);
        // every colour the frames can hold is in the fixed palette, so quantising is exact for sites
        Assert.All(snapshot.Pixels, p => Assert.Contains(p, Animation.Palette));
        Assert.True(Animation.Palette.Count <= 256);
    }

    [Fact]
    public void BadAnimationOptionsAreInputErrors()
    {
        Assert.Throws<PepLabInputException>(() => new AnimationOptions(new SnapshotStyle(), Step: 0).Checked());
        Assert.Throws<PepLabInputException>(() => new AnimationOptions(new SnapshotStyle(), Cell: 99).Checked());
        Assert.Throws<PepLabInputException>(() => new AnimationOptions(new SnapshotStyle(Outline: true), Cell: 2).Checked());
        Assert.Throws<PepLabInputException>(() => new AnimationOptions(new SnapshotStyle(), DelayCentiseconds: 1).Checked());
    }
}
