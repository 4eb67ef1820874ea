namespace PepLab.Learn.Tests;

public class SmokeTests
{
    [Fact]
    public void TorchLoads() => Assert.Equal("6", PepLab.Learn.TorchProbe.Describe());
}
