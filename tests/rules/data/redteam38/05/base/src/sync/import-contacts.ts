import { db } from '../db';

async function upsertContact(contact: Contact): Promise<void> {
    const existing = await db('contacts').where({ email: contact.email }).first();
    if (existing) {
        await db('contacts').where({ id: existing.id }).update(contact);
    } else {
        await db('contacts').insert(contact);
    }
}

export async function importContacts(contacts: Contact[]): Promise<number> {
    for (const contact of contacts) {
        await upsertContact(contact);
    }
    return contacts.length;
}
