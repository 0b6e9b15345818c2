using System.Buffers.Binary;

namespace KafkaMigrationPortal.Sandbox.Kafka;

/// <summary>
/// Edits Kafka protocol requests on their way to a mock broker. librdkafka's mock cluster creates any topic a Metadata
/// request names when the request allows it, and has no switch to stop that; Heroku never auto-creates topics. So the
/// TLS front clears <c>allow_auto_topic_creation</c> in every Metadata request (v4 and later), and the mock answers
/// <c>UNKNOWN_TOPIC_OR_PART</c> for a topic that was not created through the data API.
/// </summary>
internal static class KafkaRequestRewriter
{
    private const short MetadataApiKey = 3;
    private const short FirstVersionWithAutoCreationFlag = 4;
    private const short FirstFlexibleVersion = 9;
    private const short FirstVersionWithTopicIds = 10;

    /// <summary>Clears the auto-creation flag of a Metadata request (the frame without its 4-byte size prefix).</summary>
    /// <returns>Whether the frame was changed. Frames it cannot read pass unchanged.</returns>
    public static bool RefuseTopicAutoCreation(Span<byte> frame)
    {
        try
        {
            if (frame.Length < 10) return false;
            var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
            var version = BinaryPrimitives.ReadInt16BigEndian(frame[2..]);
            if (apiKey != MetadataApiKey || version < FirstVersionWithAutoCreationFlag) return false;

            // Header: api_key, api_version, correlation_id, client_id (a nullable int16-length string in every version).
            var position = 8;
            var clientIdLength = BinaryPrimitives.ReadInt16BigEndian(frame[position..]);
            position += 2 + Math.Max((short)0, clientIdLength);
            var flexible = version >= FirstFlexibleVersion;
            if (flexible) position = SkipTaggedFields(frame, position);

            if (flexible)
            {
                var topicsPlusOne = ReadUnsignedVarint(frame, ref position);
                for (long i = 0; i < topicsPlusOne - 1; i++)
                {
                    if (version >= FirstVersionWithTopicIds) position += 16;
                    var namePlusOne = ReadUnsignedVarint(frame, ref position);
                    if (namePlusOne > 0) position += checked((int)namePlusOne - 1);
                    position = SkipTaggedFields(frame, position);
                }
            }
            else
            {
                var topics = BinaryPrimitives.ReadInt32BigEndian(frame[position..]);
                position += 4;
                for (var i = 0; i < topics; i++)
                {
                    var nameLength = BinaryPrimitives.ReadInt16BigEndian(frame[position..]);
                    position += 2 + Math.Max((short)0, nameLength);
                }
            }

            if (position >= frame.Length || frame[position] == 0) return false;
            frame[position] = 0;
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    private static int SkipTaggedFields(ReadOnlySpan<byte> frame, int position)
    {
        var count = ReadUnsignedVarint(frame, ref position);
        for (long i = 0; i < count; i++)
        {
            ReadUnsignedVarint(frame, ref position);
            var size = ReadUnsignedVarint(frame, ref position);
            position += checked((int)size);
        }

        return position;
    }

    private static long ReadUnsignedVarint(ReadOnlySpan<byte> frame, ref int position)
    {
        long value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = frame[position++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }

        throw new OverflowException("A varint in a Kafka request is too long.");
    }
}
