namespace PepLab.Learn;

public static class TorchProbe
{
    public static string Describe()
    {
        var x = TorchSharp.torch.ones(2, 3);
        return $"{x.sum().item<float>()}";
    }
}
