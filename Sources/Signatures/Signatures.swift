/// Cosign image signatures, verified with OpenSSL.
public enum Signatures {}
