namespace PepLab.Analyse;

/// <summary>
/// Geometry and orientation of one cluster. Positions are in lattice units: rows down the frame
/// (0..Nx), columns across it (0..Ny).
/// </summary>
/// <param name="Label">Label of the cluster in <see cref="ClusterLabeller.Labels"/> (1..K).</param>
/// <param name="Size">Number of particles.</param>
/// <param name="CentreRow">Centre of mass along the rows, in [0, Nx), from the circular mean of the rows
/// (so a cluster wrapped across the periodic edge gets its centre inside it, not in the middle of the lattice).</param>
/// <param name="CentreColumn">Centre of mass along the columns, in [0, Ny), circular mean as for rows.</param>
/// <param name="RadiusOfGyration">sqrt of the mean squared minimum-image distance of its sites to the centre.</param>
/// <param name="PolarisationX">x component (to the right) of the mean orientation unit vector of its particles.</param>
/// <param name="PolarisationY">y component (up the page) of the mean orientation unit vector of its particles.</param>
public readonly record struct ClusterProperties(
    int Label,
    int Size,
    double CentreRow,
    double CentreColumn,
    double RadiusOfGyration,
    double PolarisationX,
    double PolarisationY)
{
    /// <summary>Magnitude of the cluster's mean orientation vector, in [0, 1].</summary>
    public double Polarisation => Math.Sqrt(PolarisationX * PolarisationX + PolarisationY * PolarisationY);
}
