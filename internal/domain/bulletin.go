package domain

// BulletinStore keeps published bulletins and their versions.
type BulletinStore interface{}
