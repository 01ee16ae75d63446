using System.Text;
using QRCoder;

namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// A QR code as an SVG image in a data: URI, for an &lt;img&gt; (the Content-Security-Policy allows data: images; an
/// image runs no script). Made on the server, so the text it holds is sent to no one else.
/// </summary>
public static class QrCodeImage
{
    public static string SvgDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(4);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));
    }
}
