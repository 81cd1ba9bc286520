// path: src/main/java/org/clinic/ObsService.java
// A read-only transaction on a new query method writes nothing and locks no row; one that
// replaces a method's transaction stops Hibernate flushing its writes.
package org.clinic;

@Service
public class ObsService {
    @Transactional(readOnly = true)  // error: DC253
    public void voidObs(Obs obs) {
        obs.setVoided(true);
        dao.save(obs);
    }

    @Transactional(readOnly = true)  // ok: DC253
    public List<Obs> findObs(ObsSearchCriteria criteria) {
        return dao.find(criteria);
    }
}
