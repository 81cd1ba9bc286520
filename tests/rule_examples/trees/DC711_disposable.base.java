// path: src/main/java/com/acme/plugin/PluginManager.java
package com.acme.plugin;

import org.springframework.beans.factory.InitializingBean;

class PluginManager extends DefaultPluginManager implements InitializingBean {

    @Override
    public void afterPropertiesSet() {
        loadPlugins();
    }

    @Override
    public void stopPlugins() {
        throw new UnsupportedOperationException("not supported");
    }
}
