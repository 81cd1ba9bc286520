// path: src/main/java/com/acme/plugin/PluginManager.java
package com.acme.plugin;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

class PluginManager extends DefaultPluginManager implements InitializingBean, DisposableBean {  // error: DC711

    @Override
    public void afterPropertiesSet() {
        loadPlugins();  // ok: DC711 (a start-up callback)
    }

    @Override
    public void stopPlugins() {
        for (var plugin : startedPlugins()) {
            stopPlugin(plugin.getPluginId());
        }
    }

    @Override  // error: DC711 (a new shutdown hook, from its first line)
    public void destroy() {
        stopPlugins();
    }
}
