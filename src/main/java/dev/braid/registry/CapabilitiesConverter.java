package dev.braid.registry;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Stores a capability set as a sorted comma-separated column, which both H2 and PostgreSQL read. */
@Converter
class CapabilitiesConverter implements AttributeConverter<Set<Capability>, String> {

    @Override
    public String convertToDatabaseColumn(Set<Capability> capabilities) {
        return capabilities == null ? "" : capabilities.stream().sorted().map(Capability::id)
                .collect(Collectors.joining(","));
    }

    @Override
    public Set<Capability> convertToEntityAttribute(String column) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        if (column != null && !column.isBlank()) {
            Arrays.stream(column.split(",")).map(String::trim)
                    .forEach(id -> Capability.parse(id).ifPresent(set::add));
        }
        return set;
    }
}
