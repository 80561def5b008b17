import CSystemd
import Glibc

/// PID 1, asked over its private socket (as systemctl asks it): whether the
/// system is shutting down. A locked daemon stops only then.
public enum SystemManager {
    /// systemd's own socket: root only, there before D-Bus and until PID 1 hands over to systemd-shutdown.
    static let privateSocket = "unix:path=/run/systemd/private"

    /// The manager's `SystemState` (`running`, `degraded`, `stopping`, ...), or nil when
    /// PID 1 cannot be asked (no systemd, or its socket is out of reach).
    public static func state() -> String? {
        var bus: OpaquePointer?
        guard sd_bus_new(&bus) >= 0, let bus else { return nil }
        defer { sd_bus_flush_close_unref(bus) }
        guard sd_bus_set_address(bus, privateSocket) >= 0, sd_bus_start(bus) >= 0 else { return nil }
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var value: UnsafeMutablePointer<CChar>?
        guard
            sd_bus_get_property_string(
                bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                "SystemState", &error, &value) >= 0, let value
        else { return nil }
        defer { free(value) }
        return String(cString: value)
    }
}
