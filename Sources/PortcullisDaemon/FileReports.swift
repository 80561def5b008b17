import PortcullisGeneration
import PortcullisPolicy

/// What the daemon last wrote about each policy file: its problems, and
/// whether its last good version was kept or it was refused. A reload writes a
/// file's entries again only when they change (the file read differently, a
/// clash with another file, a new status), so a change to one file of a
/// thousand does not repeat every other file's warnings in the journal; a
/// forced reload (SIGHUP) writes them all again.
struct FileReports: Sendable {
    enum Status: Hashable, Sendable { case used, keptLastGood, refused }

    struct Report: Hashable, Sendable {
        /// The file as read (nil: problems not about one file of the directory).
        var read: PolicyFile?
        var diagnostics: [Diagnostic] = []
        var status: Status = .used
    }

    private var last: [String: Report] = [:]

    /// The reports of this reload, by path in the order read, that differ from
    /// those written last (all of them when `all`); they become the last.
    mutating func changed(files: [PolicyFile], outcome: Reconciler.Outcome, all: Bool) -> [(path: String, report: Report)] {
        var order: [String] = []
        var reports: [String: Report] = [:]
        for file in files where reports[file.path] == nil {
            reports[file.path] = Report(read: file)
            order.append(file.path)
        }
        for d in outcome.diagnostics {
            if reports[d.file] == nil {
                reports[d.file] = Report(read: nil)
                order.append(d.file)
            }
            reports[d.file]?.diagnostics.append(d)
        }
        for path in outcome.keptLastGood { reports[path]?.status = .keptLastGood }
        for path in outcome.refused { reports[path]?.status = .refused }
        defer { last = reports }
        return order.filter { all || last[$0] != reports[$0] }.map { ($0, reports[$0]!) }
    }
}

/// The compiler's warnings (one per rule it warns about), written when they first
/// appear, and all again on a forced reload.
struct CompileReports: Sendable {
    private var last: Set<Diagnostic> = []

    mutating func changed(_ diagnostics: [Diagnostic], all: Bool) -> [Diagnostic] {
        defer { last = Set(diagnostics) }
        return diagnostics.filter { all || !last.contains($0) }
    }
}
