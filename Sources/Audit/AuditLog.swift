/// The release gate's audit log.
public enum AuditLog {}
