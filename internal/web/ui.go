package web

// uiRoutes returns the routes of the desk's web interface: the dashboard,
// inbox, incident, party and bulletin pages.
func (s *Server) uiRoutes() []Route {
	return nil
}
