/// The version of portcullis, as the Debian package names it (debian/changelog's
/// first entry; a test keeps them equal). `portcullis --version` prints it and
/// the daemon logs it at start.
public enum PortcullisVersion {
    public static let current = "0.6.0"
}
