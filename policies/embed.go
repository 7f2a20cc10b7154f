// Package policies embeds the casbin model and the role → permission policy.
// Who holds which role where is data (table operatore_ruolo), not policy.
package policies

import _ "embed"

// Model is the casbin model (RBAC with domains: the domain is the scope).
//
//go:embed model.conf
var Model string

// Policy lists, for each role, the (object, action) pairs it is granted.
//
//go:embed policy.csv
var Policy string
