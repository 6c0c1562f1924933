/** The consumer program as a module: it names uvtcp's modules as a module-path user does. */
module example.consumer.app {
    requires dev.uvtcp;
    requires dev.uvtcp.service;
}
