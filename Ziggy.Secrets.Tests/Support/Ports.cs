using System.Net;
using System.Net.Sockets;

namespace Ziggy.Secrets.Tests.Support;

public static class Ports
{
    /// <summary>A loopback port nobody listens on right now (asked from the OS, then released).</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
