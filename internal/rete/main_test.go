package rete

import (
	"testing"

	"github.com/cartella/cartella/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
