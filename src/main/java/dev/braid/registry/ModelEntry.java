package dev.braid.registry;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/** A registered model: where its folder is, what it was trained for, and whether to load it. */
@Entity
@Table(name = "models")
public class ModelEntry {

    @Id
    private String name;

    @Column(nullable = false)
    private String path;

    @Convert(converter = CapabilitiesConverter.class)
    @Column(nullable = false)
    private Set<Capability> capabilities = EnumSet.noneOf(Capability.class);

    @Column(name = "draft_partner")
    private String draftPartner;

    /** Desired state: the replica loads it at start and keeps it loaded. */
    @Column(nullable = false)
    private boolean loaded;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private long version;

    protected ModelEntry() {
    }

    public ModelEntry(String name, String path, Set<Capability> capabilities, String draftPartner, boolean loaded) {
        this.name = name;
        this.path = path;
        this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        this.draftPartner = draftPartner;
        this.loaded = loaded;
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    public Set<Capability> capabilities() {
        return Set.copyOf(capabilities);
    }

    public String draftPartner() {
        return draftPartner;
    }

    public boolean loaded() {
        return loaded;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    void capabilities(Set<Capability> capabilities) {
        this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        touch();
    }

    void draftPartner(String draftPartner) {
        this.draftPartner = draftPartner;
        touch();
    }

    void loaded(boolean loaded) {
        this.loaded = loaded;
        touch();
    }

    private void touch() {
        updatedAt = Instant.now();
    }
}
