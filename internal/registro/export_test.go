package registro

// FingiCluster makes s see another cluster while f returns a system
// identifier other than 0 — its transaction ids moved by spostamento — and
// the real one when it returns 0: a restore into a new cluster, without
// creating one.
func (s *Service) FingiCluster(f func() (sistema, spostamento int64)) { s.finto = f }

// Gruppi is how many batches of more than one record the writer has
// committed, and how many records they held.
func (s *Service) Gruppi() (gruppi, voci int) {
	s.gruppo.mu.Lock()
	defer s.gruppo.mu.Unlock()
	return s.gruppo.gruppi, s.gruppo.scritti
}
