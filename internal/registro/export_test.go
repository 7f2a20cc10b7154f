package registro

import (
	"context"
	"sync/atomic"

	"github.com/cartella/cartella/internal/database"
)

// FingiCluster makes s see the cluster's system identifier as whatever
// *id holds when it is not 0 (the real one when it is): a restore into a
// new cluster, without creating one.
func (s *Service) FingiCluster(id *atomic.Int64) {
	vero := &Service{}
	s.sistema = func(ctx context.Context, q database.Querier) (int64, error) {
		if v := id.Load(); v != 0 {
			return v, nil
		}
		return vero.sistemaDi(ctx, q)
	}
}
