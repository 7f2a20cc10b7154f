package importazioni

import "time"

// ConBattito sets the heartbeat of the imports this service runs and the
// age after which it takes an import in corso as abandoned: for tests,
// which cannot wait the product's 15 and 90 seconds. Call it before the
// service runs anything.
func (s *Service) ConBattito(battito, scadenza time.Duration) {
	s.battito, s.scadenza = battito, scadenza
}
