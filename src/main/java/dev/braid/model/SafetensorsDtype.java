package dev.braid.model;

/**
 * Element types of the safetensors format. All are recognised so that sizes can be validated
 * for every tensor in a file; only the floating-point ones used for weights can be read.
 */
public enum SafetensorsDtype {
    BOOL(1, false),
    U8(1, false),
    I8(1, false),
    F8_E5M2(1, false),
    F8_E4M3(1, false),
    I16(2, false),
    U16(2, false),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    U32(4, false),
    F32(4, true),
    F64(8, false),
    I64(8, false),
    U64(8, false);

    private final int byteSize;
    private final boolean readable;

    SafetensorsDtype(int byteSize, boolean readable) {
        this.byteSize = byteSize;
        this.readable = readable;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link SafetensorsFile#readFloat32} can convert this type. */
    public boolean readable() {
        return readable;
    }

    /** {@code null} for names outside the format, so callers can report them with context. */
    public static SafetensorsDtype fromName(String name) {
        for (SafetensorsDtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        return null;
    }
}
