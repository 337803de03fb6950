package dev.braid.registry;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface ModelEntryRepository extends JpaRepository<ModelEntry, String> {

    List<ModelEntry> findAllByOrderByNameAsc();

    List<ModelEntry> findByDraftPartner(String draftPartner);
}
