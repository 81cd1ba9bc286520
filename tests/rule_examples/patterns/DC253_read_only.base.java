// path: src/main/java/org/clinic/ObsService.java
package org.clinic;

@Service
public class ObsService {
    @Transactional
    public void voidObs(Obs obs) {
        obs.setVoided(true);
        dao.save(obs);
    }
}
