namespace PepLab.Tests;

public class UnknownCommandTests
{
    [Theory]
    [InlineData("bogus", "pep: error: unknown command 'bogus'", "simulate")]
    [InlineData("plot bogus f.h5", "pep plot: error: unknown command 'bogus'", "snapshot")]
    [InlineData("", "pep: error: no command given", "quickstart")]
    [InlineData("plot", "pep plot: error: no command given", "timeseries")]
    public void AnUnknownOrMissingCommandIsNamedAndTheValidOnesListed(string arguments, string start, string listed)
    {
        var (code, output, error) = PepCli.Run(arguments);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(start, line);
        Assert.Contains(listed, line);
    }
}
