import Foundation

/// A room created at run time by an operator (a SIP MESSAGE command), as kept by ``RoomStore``.
///
/// The rooms of the configuration file are not stored: they come back from the file on every start.
public struct StoredRoom: Equatable, Sendable {
    /// The room's identifier: the user part callers dial. Unique; the store's key.
    public var id: String
    /// The name announced to participants, if the operator gave one.
    public var displayName: String?
    /// The PIN a caller must enter, kept as given. The caller compares it in constant time;
    /// it never appears in ``description``, in a mirror, or in a ``RoomStoreError``.
    public var pin: String?
    /// How many participants the room admits at once. Must be at least 1.
    public var maxParticipants: Int
    /// The SIP URIs that may moderate the room, in the order given. No URI may appear twice.
    public var owners: [String]
    /// Whether only owners may speak unless they grant the floor.
    public var moderated: Bool
    /// Whether the room admits no new participants.
    public var locked: Bool
    /// When the room was created, to the millisecond (the precision the store keeps).
    public var createdAt: Date

    /// Makes a room; `createdAt` is rounded to the millisecond so that what is saved compares
    /// equal to what is loaded back.
    public init(
        id: String,
        displayName: String? = nil,
        pin: String? = nil,
        maxParticipants: Int,
        owners: [String] = [],
        moderated: Bool = false,
        locked: Bool = false,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.displayName = displayName
        self.pin = pin
        self.maxParticipants = maxParticipants
        self.owners = owners
        self.moderated = moderated
        self.locked = locked
        self.createdAt = Date(millisecondsSince1970: createdAt.millisecondsSince1970)
    }
}

extension StoredRoom: CustomStringConvertible, CustomDebugStringConvertible {
    /// Every field but the PIN, which shows only as `set` or `none`: this is what log lines print.
    public var description: String {
        let name = displayName.map { "\"\($0)\"" } ?? "nil"
        return "StoredRoom(id: \"\(id)\", displayName: \(name), pin: \(pin == nil ? "none" : "set"), "
            + "maxParticipants: \(maxParticipants), owners: \(owners), moderated: \(moderated), "
            + "locked: \(locked), createdAt: \(createdAt))"
    }

    public var debugDescription: String { description }
}

extension StoredRoom: CustomReflectable {
    /// Redacts the PIN for `dump` and debuggers too, which otherwise print stored properties raw.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id,
                "displayName": displayName as Any,
                "pin": pin == nil ? "none" : "set",
                "maxParticipants": maxParticipants,
                "owners": owners,
                "moderated": moderated,
                "locked": locked,
                "createdAt": createdAt,
            ],
            displayStyle: .struct)
    }
}

extension Date {
    /// Whole milliseconds since 1970, rounded: how the store keeps a date.
    var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
