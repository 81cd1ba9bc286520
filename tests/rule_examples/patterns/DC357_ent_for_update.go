// path: openmeter/billing/sequence/adapter/seq.go
package adapter

func (a *adapter) next(ctx context.Context, tx *db.Tx, scope string) (int64, error) {
	row, err := tx.Sequence.Query().Where(sequence.Scope(scope)).Only(ctx)  // ok: DC357
	if err != nil {
		return 0, err
	}
	return row.Update().SetValue(row.Value + 1).Save(ctx)
}
